//! The sink service: notification handlers (nova_fixed, neutron_floatingip).
