export { registerLedgerCommands } from './commands.js';
