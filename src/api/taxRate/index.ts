export { taxRateRoutes } from './routes.js';
