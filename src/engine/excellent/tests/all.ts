// Loads every router test into the function registry (tests are also callable as functions).
import './text.ts';
import './numbers.ts';
import './dates.ts';
import './contacts.ts';
import './results.ts';
import './locations.ts';
