/** What transport documents and invoices share: they are the documents of an order. */
import { NO_TIMER } from '../../machines/index.js';
import { ordersDatabase } from '../stores/orders-db.js';

/**
 * An order's documents complete the order (priority 4, as orders), run only after orders reported
 * changes (no timer of their own), and are stored beside their orders in `orders.db`, linked by order
 * number.
 */
export const ORDER_DOCUMENT = {
  service: {
    scope: 'agent',
    priority: 4,
    schedule: NO_TIMER,
    chainedAfter: 'orders',
  },
  store: { database: ordersDatabase, linkedToOrders: true },
} as const;
