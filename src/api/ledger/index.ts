export { ledgerRoutes, type LedgerRoutesDeps } from './routes.js';
