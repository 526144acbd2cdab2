/** A street or community code from a URL, as the area it names (404 when the district has no such area). */
import type { RiskArea } from '../../shared/wall-risk.js';
import type { DistrictData } from '../district-data.js';
import { HttpError } from './errors.js';

export function areaOf(district: DistrictData, code: string): RiskArea {
  if (district.street(code)) return { code, level: 'street', communityCodes: district.communitiesOf(code) };
  if (district.community(code)) return { code, level: 'community', communityCodes: [code] };
  throw new HttpError(404, 'not_found', `no street or community ${code} in ${district.info.name.zh}`);
}
