export { validateChargeRequest, validateRefundRequest, MAX_KEY_LENGTH, type ChargeRequest, type ChargeResult, type GatewayTotals, type PaymentGateway, type RefundRequest, type RefundResult } from './gateway.js';
export { createSimulatedGateway, simulatedOutcome, flakyFailures, SIMULATED_DECLINES, type SimulatedChargesTable } from './simulatedGateway.js';
export type { SimulatedChargeTables } from './simulatedGateway.js';
