/** A random secret made once in the data dir (mode 0600) and read back on every start. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class SecretFileError extends Error {
  override name = 'SecretFileError';
}

export function secretFile(dataDir: string, name: string, bytes: number): Buffer {
  const file = path.join(dataDir, name);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(bytes), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new SecretFileError(`cannot create ${file}: ${(e as Error).message}`);
  }
  const key = fs.readFileSync(file);
  if (key.length !== bytes) throw new SecretFileError(`${file} must hold ${bytes} bytes, found ${key.length}: restore it from a backup or remove it to start afresh`);
  return key;
}
