import type { SpecMigration } from './types.ts';
import { v13_1_0 } from './v13_1_0.ts';
import { v13_2_0 } from './v13_2_0.ts';
import { v13_3_0 } from './v13_3_0.ts';
import { v13_4_0 } from './v13_4_0.ts';
import { v13_5_0 } from './v13_5_0.ts';
import { v13_6_0 } from './v13_6_0.ts';
import { v13_6_1 } from './v13_6_1.ts';
import { v14_0_0 } from './v14_0_0.ts';
import { v14_1_0 } from './v14_1_0.ts';
import { v14_2_0 } from './v14_2_0.ts';
import { v14_3_0 } from './v14_3_0.ts';
import { v14_3_1 } from './v14_3_1.ts';
import { v14_4_0 } from './v14_4_0.ts';
import { v14_4_1 } from './v14_4_1.ts';
import { v14_4_2 } from './v14_4_2.ts';

/** Every spec migration, oldest first. Adding a spec version means adding its file here. */
export const MIGRATIONS: readonly SpecMigration[] = [
  v13_1_0, v13_2_0, v13_3_0, v13_4_0, v13_5_0, v13_6_0, v13_6_1,
  v14_0_0, v14_1_0, v14_2_0, v14_3_0, v14_3_1, v14_4_0, v14_4_1, v14_4_2,
];
