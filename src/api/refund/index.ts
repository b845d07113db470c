export { refundRoutes } from './routes.js';
