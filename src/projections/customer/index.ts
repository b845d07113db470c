export { customersProjection, CUSTOMERS_PROJECTION } from './projection.js';
export { getCustomer, listCustomers, ownerOfCustomer, type CustomerView, type CustomerFilter } from './queries.js';
export type { CustomersTable, CustomerCreditBalancesTable, CustomerCreditLedgerTable } from './table.js';
export type { CustomerTables } from './table.js';
