export { registerJobCommands } from './commands.js';
