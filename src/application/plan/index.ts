export { createPlanCommands, planExists, plans, type PlanCommands } from './commands.js';
