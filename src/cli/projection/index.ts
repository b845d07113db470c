export { registerProjectionCommands } from './commands.js';
