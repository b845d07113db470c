export { contractAtCommand, createSubscriptionCommands, planAtCommand, subscriptionExists, subscriptions, type SubscriptionCommands } from './commands.js';
export { presentSubscription } from './present.js';
export { subscriptionInput, changePlanInput, changeQuantityInput, cancelInput } from './schemas.js';
