export { creditNoteRoutes, type CreditNoteRoutesDeps } from './routes.js';
