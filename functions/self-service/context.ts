/** What every self-service action needs, built once per function instance from its configuration. */
import { requireEnv } from '../common/config/env';
import { enrollmentRepo } from '../common/repos/enrollments';
import { influencerRepo } from '../common/repos/influencers';
import { linkRepo } from '../common/repos/links';
import { merchantRepo } from '../common/repos/merchants';

const configTable = requireEnv('CONFIG_TABLE_NAME');

export const selfService = {
  merchants: merchantRepo(configTable),
  influencers: influencerRepo(configTable),
  links: linkRepo(configTable),
  enrollments: enrollmentRepo(configTable),
  /** Where short links are served, e.g. `https://go.example.com`. */
  publicBaseUrl: new URL(requireEnv('PUBLIC_BASE_URL')).toString().replace(/\/$/, ''),
  now: () => new Date(),
};
