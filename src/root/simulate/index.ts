export { registerSimulateCommand } from './command.js';
