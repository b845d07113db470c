/**
 * The composition root: the one place that knows every feature. It assembles
 * the Database type (database.ts), the projections (projections.ts), the
 * routes (app.ts), the CLI's commands (cli.ts), the collections and the
 * triggers of each role (collection.ts, system.ts), and `simulate`.
 */
export { startRole, startSystem, type System } from './system.js';
