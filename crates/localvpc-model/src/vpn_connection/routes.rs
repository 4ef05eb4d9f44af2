//! Static routes of a VPN connection (part 2 §15.3): CreateVpnConnectionRoute and DeleteVpnConnectionRoute, for
//! connections with `StaticRoutesOnly` only. Its gateway propagates them into VPC route tables (part 2 §15.4).

use crate::cidr;
use crate::world::{Scope, Tx};
use crate::{Ec2Error, Result, VpnError};

use super::{find, StaticRoute, VpnConnection};

fn static_connection(tx: &Tx, scope: &Scope, id: &str) -> Result<std::sync::Arc<VpnConnection>> {
    let connection = find(tx.region(scope), id, tx.now())?;
    if !connection.lifecycle.is_live() {
        return Err(VpnError::VpnConnectionNotAvailable(connection.id.clone()).into());
    }
    if !connection.options.static_routes_only {
        return Err(VpnError::StaticRoutesNotSupported.into());
    }
    Ok(connection)
}

/// CreateVpnConnectionRoute. ASSUMPTION (part 2 §15.3 [I]): adding a route the connection already has is
/// accepted and changes nothing, as AWS's other "add this prefix" calls for a present prefix.
pub fn create_route(tx: &mut Tx, scope: &Scope, id: &str, destination_text: &str) -> Result<()> {
    let connection = static_connection(tx, scope, id)?;
    let destination = cidr::parse_canonical(destination_text)
        .ok_or_else(|| Ec2Error::invalid_cidr(destination_text, "destinationCidrBlock"))?;
    if connection.routes.iter().any(|route| route.destination == destination) {
        return Ok(());
    }
    tx.update::<VpnConnection>(scope, id, |connection| connection.routes.push(StaticRoute { destination }));
    Ok(())
}

/// DeleteVpnConnectionRoute.
pub fn delete_route(tx: &mut Tx, scope: &Scope, id: &str, destination_text: &str) -> Result<()> {
    let connection = static_connection(tx, scope, id)?;
    let destination = cidr::parse_canonical(destination_text)
        .ok_or_else(|| Ec2Error::invalid_cidr(destination_text, "destinationCidrBlock"))?;
    if !connection.routes.iter().any(|route| route.destination == destination) {
        return Err(VpnError::VpnRouteNotFound {
            destination: destination_text.to_string(),
            vpn_connection_id: connection.id.clone(),
        }
        .into());
    }
    tx.update::<VpnConnection>(scope, id, |connection| {
        connection.routes.retain(|route| route.destination != destination)
    });
    Ok(())
}
