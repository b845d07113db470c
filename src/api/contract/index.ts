export { contractRoutes } from './routes.js';
