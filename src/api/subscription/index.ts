export { subscriptionRoutes } from './routes.js';
