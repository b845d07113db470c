export { createUserCommands, type AccessChange, type UserCommandResult, type UserCommands } from './commands.js';
export { emailReservationStreamName } from './emailReservation.js';
