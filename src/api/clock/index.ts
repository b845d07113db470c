export { testClockRoutes, type TestClock } from './routes.js';
