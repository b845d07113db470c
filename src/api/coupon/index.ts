export { couponRoutes } from './routes.js';
