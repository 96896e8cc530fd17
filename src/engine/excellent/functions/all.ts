// Loads every function group and router test into the registry.
import './conversion.ts';
import './text.ts';
import './logic.ts';
import './numbers.ts';
import './datetime.ts';
import './arrays.ts';
import './encoded.ts';
import './formatting.ts';
import './utility.ts';
import '../tests/all.ts';
