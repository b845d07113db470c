export { registerPlanCommands } from './commands.js';
