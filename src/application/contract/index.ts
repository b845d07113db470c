export {
  CONTRACT_CASCADES,
  contractCascadesProjection,
  createContractCascades,
  type ContractCascades,
  type ContractCascadesDeps,
  type ContractCascadesOptions,
} from './cascades.js';
