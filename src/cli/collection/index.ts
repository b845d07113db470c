export { registerDunningCommands } from './commands.js';
