export { registerStreamCommands } from './commands.js';
