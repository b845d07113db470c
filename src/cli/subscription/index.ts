export { registerSubscriptionCommands } from './commands.js';
