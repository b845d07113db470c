export { registerWebhookCommands } from './commands.js';
