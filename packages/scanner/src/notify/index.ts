export {
  type AlertChannel,
  type ChannelStateSummary,
  type DeliverPendingAlertsOptions,
  type DeliverPendingAlertsResult,
  type DeliveryRetryPolicy,
  deliverPendingAlerts,
  getChannelStates,
  resetChannel,
} from "./deliver-alerts.js";
export { findingPageId } from "./finding-page.js";
