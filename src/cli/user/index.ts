export { registerUserCommands } from './commands.js';
