export { contractsProjection, CONTRACTS_PROJECTION } from './projection.js';
export { getContract, listContracts, type ContractView, type ContractFilter } from './queries.js';
export type { ContractsTable } from './table.js';
export type { ContractTables } from './table.js';
