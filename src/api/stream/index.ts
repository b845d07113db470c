export { streamRoutes } from './routes.js';
