/**
 * `start` killed mid-run on real Redis: the cases of kill.test.ts (which reads which file runs it), in a file of
 * their own so they run beside the SQLite ones.
 */
import './kill.test';
