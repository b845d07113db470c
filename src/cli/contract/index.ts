export { registerContractCommands } from './commands.js';
