/**
 * The project's folder (where package.json and data/ are), from source (server/…, run by tsx) and from the build
 * (dist/node/server/…, run by node) alike: the nearest folder upwards that holds package.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const appRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
