export { registerCreditNoteCommands } from './commands.js';
