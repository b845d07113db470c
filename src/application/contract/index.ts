export {
  CONTRACT_CASCADES,
  contractCascadesProjection,
  createContractCascades,
  type ContractCascades,
  type ContractCascadesDeps,
  type ContractCascadesOptions,
} from './cascades.js';
export type { ContractCascadeTables } from './cascadesTable.js';
export { contractExists, contracts, createContractCommands, type ContractCommands } from './commands.js';
export { presentContract } from './present.js';
export { contractInput } from './schemas.js';
