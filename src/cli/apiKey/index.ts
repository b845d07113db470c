export { registerApiKeyCommands } from './commands.js';
