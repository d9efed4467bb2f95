import type { Command } from '../command.js';
import { admin } from './admin.js';
import { configCheck } from './config-check.js';
import { domainAdd } from './domain-add.js';
import { domainList } from './domain-list.js';
import { domainRemove } from './domain-remove.js';
import { domainTest } from './domain-test.js';
import { plan } from './plan.js';
import { resync } from './resync.js';
import { status } from './status.js';
import { users } from './users.js';

export const COMMANDS: readonly Command[] = [
  domainAdd,
  domainList,
  domainTest,
  domainRemove,
  users,
  status,
  plan,
  resync,
  configCheck,
  admin,
];
