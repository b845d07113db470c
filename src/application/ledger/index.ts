export { reconcileLedger, type Check, type Reconciliation, type ReconcileDeps } from './reconcile.js';
