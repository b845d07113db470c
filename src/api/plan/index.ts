export { planRoutes } from './routes.js';
