export { createPlanCommands, planExists, plans, type PlanCommands } from './commands.js';
export { presentPlan } from './present.js';
export { planInput, planPatch } from './schemas.js';
