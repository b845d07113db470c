export { testClockRoutes } from './routes.js';
