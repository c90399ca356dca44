/**
 * `baton/testing`: tools for testing code built on baton without waiting on
 * real time.
 *
 * @packageDocumentation
 */

export { VirtualClock, type VirtualClockOptions } from './virtual-clock.js';
export { withClock, installClock, type InstalledClock } from './with-clock.js';
