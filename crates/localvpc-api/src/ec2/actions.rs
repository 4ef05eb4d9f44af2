//! The action table: every EC2 Action localvpc serves, and its handler. An Action missing here is answered with
//! `InvalidAction`.

use super::Handler::{self, Read, Write};
use super::{account, dhcp_options, image, instance_type, key_pair};
use super::{address, instance, launch_template, network_insights, network_interface, volume};
use super::{
    availability_zone, internet_gateway, network_acl, route_table, security_group, subnet, tags, vpc, vpc_peering,
};

/// Looks up the handler of an Action.
pub fn handler(action: &str) -> Option<Handler> {
    ACTIONS.binary_search_by(|(name, _)| name.cmp(&action)).ok().map(|index| ACTIONS[index].1)
}

/// Sorted by name (checked by a test) so lookup is a binary search.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("AcceptVpcPeeringConnection", Write(vpc_peering::accept_vpc_peering_connection)),
    ("AllocateAddress", Write(address::allocate_address)),
    ("AssignPrivateIpAddresses", Write(network_interface::assign_private_ip_addresses)),
    ("AssociateAddress", Write(address::associate_address)),
    ("AssociateDhcpOptions", Write(dhcp_options::associate_dhcp_options)),
    ("AssociateRouteTable", Write(route_table::associate_route_table)),
    ("AssociateVpcCidrBlock", Write(vpc::associate_vpc_cidr_block)),
    ("AttachClassicLinkVpc", Read(account::classic_link)),
    ("AttachInternetGateway", Write(internet_gateway::attach_internet_gateway)),
    ("AttachNetworkInterface", Write(network_interface::attach_network_interface)),
    ("AttachVolume", Write(volume::attach_volume)),
    ("AuthorizeSecurityGroupEgress", Write(security_group::authorize_security_group_egress)),
    ("AuthorizeSecurityGroupIngress", Write(security_group::authorize_security_group_ingress)),
    ("CreateDefaultSubnet", Write(subnet::create_default_subnet)),
    ("CreateDefaultVpc", Write(vpc::create_default_vpc)),
    ("CreateDhcpOptions", Write(dhcp_options::create_dhcp_options)),
    ("CreateInternetGateway", Write(internet_gateway::create_internet_gateway)),
    ("CreateKeyPair", Write(key_pair::create_key_pair)),
    ("CreateLaunchTemplate", Write(launch_template::create_launch_template)),
    ("CreateLaunchTemplateVersion", Write(launch_template::create_launch_template_version)),
    ("CreateNetworkAcl", Write(network_acl::create_network_acl)),
    ("CreateNetworkAclEntry", Write(network_acl::create_network_acl_entry)),
    ("CreateNetworkInsightsPath", Write(network_insights::create_network_insights_path)),
    ("CreateNetworkInterface", Write(network_interface::create_network_interface)),
    ("CreateRoute", Write(route_table::create_route)),
    ("CreateRouteTable", Write(route_table::create_route_table)),
    ("CreateSecurityGroup", Write(security_group::create_security_group)),
    ("CreateSubnet", Write(subnet::create_subnet)),
    ("CreateTags", Write(tags::create_tags)),
    ("CreateVolume", Write(volume::create_volume)),
    ("CreateVpc", Write(vpc::create_vpc)),
    ("CreateVpcPeeringConnection", Write(vpc_peering::create_vpc_peering_connection)),
    ("DeleteDhcpOptions", Write(dhcp_options::delete_dhcp_options)),
    ("DeleteInternetGateway", Write(internet_gateway::delete_internet_gateway)),
    ("DeleteKeyPair", Write(key_pair::delete_key_pair)),
    ("DeleteLaunchTemplate", Write(launch_template::delete_launch_template)),
    ("DeleteLaunchTemplateVersions", Write(launch_template::delete_launch_template_versions)),
    ("DeleteNetworkAcl", Write(network_acl::delete_network_acl)),
    ("DeleteNetworkAclEntry", Write(network_acl::delete_network_acl_entry)),
    ("DeleteNetworkInsightsAnalysis", Write(network_insights::delete_network_insights_analysis)),
    ("DeleteNetworkInsightsPath", Write(network_insights::delete_network_insights_path)),
    ("DeleteNetworkInterface", Write(network_interface::delete_network_interface)),
    ("DeleteRoute", Write(route_table::delete_route)),
    ("DeleteRouteTable", Write(route_table::delete_route_table)),
    ("DeleteSecurityGroup", Write(security_group::delete_security_group)),
    ("DeleteSubnet", Write(subnet::delete_subnet)),
    ("DeleteTags", Write(tags::delete_tags)),
    ("DeleteVolume", Write(volume::delete_volume)),
    ("DeleteVpc", Write(vpc::delete_vpc)),
    ("DeleteVpcPeeringConnection", Write(vpc_peering::delete_vpc_peering_connection)),
    ("DescribeAccountAttributes", Read(account::describe_account_attributes)),
    ("DescribeAddresses", Read(address::describe_addresses)),
    ("DescribeAddressesAttribute", Read(address::describe_addresses_attribute)),
    ("DescribeAvailabilityZones", Read(availability_zone::describe_availability_zones)),
    ("DescribeClassicLinkInstances", Read(account::classic_link)),
    ("DescribeDhcpOptions", Read(dhcp_options::describe_dhcp_options)),
    ("DescribeImages", Read(image::describe_images)),
    ("DescribeInstanceAttribute", Read(instance::describe_instance_attribute)),
    ("DescribeInstanceCreditSpecifications", Read(instance::describe_instance_credit_specifications)),
    ("DescribeInstanceStatus", Read(instance::describe_instance_status)),
    ("DescribeInstanceTypeOfferings", Read(instance_type::describe_instance_type_offerings)),
    ("DescribeInstanceTypes", Read(instance_type::describe_instance_types)),
    ("DescribeInstances", Read(instance::describe_instances)),
    ("DescribeInternetGateways", Read(internet_gateway::describe_internet_gateways)),
    ("DescribeKeyPairs", Read(key_pair::describe_key_pairs)),
    ("DescribeLaunchTemplateVersions", Read(launch_template::describe_launch_template_versions)),
    ("DescribeLaunchTemplates", Read(launch_template::describe_launch_templates)),
    ("DescribeNetworkAcls", Read(network_acl::describe_network_acls)),
    ("DescribeNetworkInsightsAnalyses", Read(network_insights::describe_network_insights_analyses)),
    ("DescribeNetworkInsightsPaths", Read(network_insights::describe_network_insights_paths)),
    ("DescribeNetworkInterfaceAttribute", Read(network_interface::describe_network_interface_attribute)),
    ("DescribeNetworkInterfaces", Read(network_interface::describe_network_interfaces)),
    ("DescribeRegions", Read(availability_zone::describe_regions)),
    ("DescribeRouteTables", Read(route_table::describe_route_tables)),
    ("DescribeSecurityGroupReferences", Read(security_group::describe_security_group_references)),
    ("DescribeSecurityGroupRules", Read(security_group::describe_security_group_rules)),
    ("DescribeSecurityGroups", Read(security_group::describe_security_groups)),
    ("DescribeStaleSecurityGroups", Read(security_group::describe_stale_security_groups)),
    ("DescribeSubnets", Read(subnet::describe_subnets)),
    ("DescribeTags", Read(tags::describe_tags)),
    ("DescribeVolumes", Read(volume::describe_volumes)),
    ("DescribeVpcAttribute", Read(vpc::describe_vpc_attribute)),
    ("DescribeVpcClassicLink", Read(account::classic_link)),
    ("DescribeVpcClassicLinkDnsSupport", Read(account::classic_link)),
    ("DescribeVpcPeeringConnections", Read(vpc_peering::describe_vpc_peering_connections)),
    ("DescribeVpcs", Read(vpc::describe_vpcs)),
    ("DetachClassicLinkVpc", Read(account::classic_link)),
    ("DetachInternetGateway", Write(internet_gateway::detach_internet_gateway)),
    ("DetachNetworkInterface", Write(network_interface::detach_network_interface)),
    ("DetachVolume", Write(volume::detach_volume)),
    ("DisableVpcClassicLink", Read(account::classic_link)),
    ("DisableVpcClassicLinkDnsSupport", Read(account::classic_link)),
    ("DisassociateAddress", Write(address::disassociate_address)),
    ("DisassociateRouteTable", Write(route_table::disassociate_route_table)),
    ("DisassociateVpcCidrBlock", Write(vpc::disassociate_vpc_cidr_block)),
    ("EnableVpcClassicLink", Read(account::classic_link)),
    ("EnableVpcClassicLinkDnsSupport", Read(account::classic_link)),
    ("GetConsoleOutput", Read(instance::get_console_output)),
    ("GetSecurityGroupsForVpc", Read(security_group::get_security_groups_for_vpc)),
    ("ImportKeyPair", Write(key_pair::import_key_pair)),
    ("ModifyAddressAttribute", Write(address::modify_address_attribute)),
    ("ModifyInstanceAttribute", Write(instance::modify_instance_attribute)),
    ("ModifyInstanceCreditSpecification", Write(instance::modify_instance_credit_specification)),
    ("ModifyLaunchTemplate", Write(launch_template::modify_launch_template)),
    ("ModifyNetworkInterfaceAttribute", Write(network_interface::modify_network_interface_attribute)),
    ("ModifySecurityGroupRules", Write(security_group::modify_security_group_rules)),
    ("ModifySubnetAttribute", Write(subnet::modify_subnet_attribute)),
    ("ModifyVolume", Write(volume::modify_volume)),
    ("ModifyVpcAttribute", Write(vpc::modify_vpc_attribute)),
    ("ModifyVpcPeeringConnectionOptions", Write(vpc_peering::modify_vpc_peering_connection_options)),
    ("ModifyVpcTenancy", Write(vpc::modify_vpc_tenancy)),
    ("RebootInstances", Write(instance::reboot_instances)),
    ("RejectVpcPeeringConnection", Write(vpc_peering::reject_vpc_peering_connection)),
    ("ReleaseAddress", Write(address::release_address)),
    ("ReplaceNetworkAclAssociation", Write(network_acl::replace_network_acl_association)),
    ("ReplaceNetworkAclEntry", Write(network_acl::replace_network_acl_entry)),
    ("ReplaceRoute", Write(route_table::replace_route)),
    ("ReplaceRouteTableAssociation", Write(route_table::replace_route_table_association)),
    ("ResetAddressAttribute", Write(address::reset_address_attribute)),
    ("ResetInstanceAttribute", Write(instance::reset_instance_attribute)),
    ("RevokeSecurityGroupEgress", Write(security_group::revoke_security_group_egress)),
    ("RevokeSecurityGroupIngress", Write(security_group::revoke_security_group_ingress)),
    ("RunInstances", Write(instance::run_instances)),
    ("StartInstances", Write(instance::start_instances)),
    ("StartNetworkInsightsAnalysis", Write(network_insights::start_network_insights_analysis)),
    ("StopInstances", Write(instance::stop_instances)),
    ("TerminateInstances", Write(instance::terminate_instances)),
    ("UnassignPrivateIpAddresses", Write(network_interface::unassign_private_ip_addresses)),
    (
        "UpdateSecurityGroupRuleDescriptionsEgress",
        Write(security_group::update_security_group_rule_descriptions_egress),
    ),
    (
        "UpdateSecurityGroupRuleDescriptionsIngress",
        Write(security_group::update_security_group_rule_descriptions_ingress),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in ACTIONS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} must come before {}", pair[0].0, pair[1].0);
        }
        assert!(handler("DescribeVpcs").is_some());
        assert!(handler("DescribeVpcz").is_none());
    }
}
