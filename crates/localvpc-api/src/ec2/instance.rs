//! Instance actions: RunInstances (the flat form and the `NetworkInterface.N` form of spec §1.1),
//! DescribeInstances, StartInstances, StopInstances, TerminateInstances (spec §2.9); `BlockDeviceMapping.N` and the
//! instance's `blockDeviceMapping` (its attached EBS volumes). The attribute actions are in `instance/attribute.rs`;
//! status checks, reboots and CPU credits in `instance/status.rs`.

mod attribute;
mod status;

pub(crate) use attribute::{
    describe_instance_attribute, modify_instance_attribute, modify_private_dns_name_options, reset_instance_attribute,
};
pub(crate) use status::{
    describe_instance_credit_specifications, describe_instance_status, modify_instance_credit_specification,
    monitor_instances, reboot_instances, unmonitor_instances,
};

use base64::prelude::{Engine as _, BASE64_STANDARD};
use localvpc_model::filter::{matches, validate};
use localvpc_model::instance::{
    self, Instance, InstanceState, InstanceView, InterfaceSpecification, LaunchSettings, PrivateDnsNameChange,
    Reservation, RunInstances, StateChange,
};
use localvpc_model::launch_template::{self, TemplateRef};
use localvpc_model::network_interface::{self, AssignIpv6Addresses};
use localvpc_model::volume::{self, BlockDeviceMapping, EbsBlockDevice, Volume, VolumeSpec};
use localvpc_model::{Ec2Error, RegionState, Tag, Tx, World};

use super::network_interface::{render_association, render_group_set, render_ipv6_addresses, render_private_addresses};
use super::Ctx;
use crate::params::Params;
use crate::xml::Xml;

type Result<T = ()> = std::result::Result<T, Ec2Error>;

pub(super) fn render_state(x: &mut Xml, tag: &str, state: InstanceState) {
    x.nested(tag, |x| {
        x.value("code", state.code()).text("name", state.name());
    });
}

/// One `<instancesSet><item>` (spec §2.9, Appendix A). A terminated instance has no interface, hence no subnet,
/// addresses or groups, as on AWS.
fn render_instance(x: &mut Xml, instance: &Instance, region: &RegionState) {
    let interface = instance.interface(region);
    let public = interface.and_then(|interface| network_interface::public_address(region, interface));
    let public_dns = interface.and_then(|interface| network_interface::public_dns_name(region, interface));
    x.text("instanceId", &instance.id).text("imageId", &instance.image_id);
    render_state(x, "instanceState", instance.state);
    x.text("privateDnsName", &instance.private_dns_name(region).unwrap_or_default())
        .text("dnsName", &public_dns.unwrap_or_default())
        .text("reason", &instance.state_transition_reason)
        .optional("keyName", instance.key_name.as_deref())
        .value("amiLaunchIndex", instance.ami_launch_index)
        .list("productCodes", [(); 0], |_, _| {})
        .text("instanceType", &instance.instance_type)
        .text("launchTime", &instance.launch_time.to_iso8601())
        .nested("placement", |x| {
            x.text("availabilityZone", &instance.availability_zone)
                .text("availabilityZoneId", &instance.availability_zone_id)
                .text("groupName", "")
                .text("tenancy", "default");
        })
        .nested("monitoring", |x| {
            x.text("state", instance::status::monitoring_state(instance));
        });
    if let Some(interface) = interface {
        x.text("subnetId", &interface.subnet_id)
            .text("vpcId", &interface.vpc_id)
            .optional_value("privateIpAddress", interface.private_ip);
    }
    // Part 2 §16.1 [D bc]: the primary interface's first IPv6 address.
    if let Some(address) = interface.and_then(|interface| interface.ipv6_addresses.first()) {
        x.value("ipv6Address", address);
    }
    if let Some(public) = public {
        x.value("ipAddress", public.ip);
    }
    x.value("sourceDestCheck", interface.is_none_or(|interface| interface.source_dest_check));
    render_group_set(x, region, interface.map(|i| i.security_group_ids.as_slice()).unwrap_or_default());
    if let Some(reason) = &instance.state_reason {
        x.nested("stateReason", |x| {
            x.text("code", &reason.code).text("message", &reason.message);
        });
    }
    x.text("architecture", "x86_64")
        .text("rootDeviceType", "ebs")
        .text("rootDeviceName", instance.root_device_name())
        .list("blockDeviceMapping", volume::attached_to(region, &instance.id), |x, volume| {
            render_block_device(x, volume)
        })
        .text("virtualizationType", "hvm")
        .optional("clientToken", instance.client_token.as_deref());
    // AWS leaves `tagSet` out of an untagged instance (SDKs then have no `Tags` key).
    x.tag_set_if_any(&instance.tags);
    // Every interface attached, by device index (the primary first).
    let interfaces: Vec<_> = instance.interfaces(region).collect();
    x.text("hypervisor", "xen")
        .list("networkInterfaceSet", interfaces, |x, interface| {
            x.text("networkInterfaceId", &interface.id)
                .text("subnetId", &interface.subnet_id)
                .text("vpcId", &interface.vpc_id)
                .text("description", &interface.description)
                .text("ownerId", &interface.owner_id)
                .text("status", "in-use")
                .text("macAddress", &interface.mac_address)
                .optional_value("privateIpAddress", interface.private_ip)
                .optional("privateDnsName", interface.private_dns_name().as_deref())
                .value("sourceDestCheck", interface.source_dest_check);
            render_group_set(x, region, &interface.security_group_ids);
            if let Some(attachment) = &interface.attachment {
                x.nested("attachment", |x| {
                    x.text("attachmentId", &attachment.attachment_id)
                        .value("deviceIndex", attachment.device_index)
                        .text("status", "attached")
                        .text("attachTime", &attachment.attach_time.to_iso8601())
                        .value("deleteOnTermination", attachment.delete_on_termination)
                        .value("networkCardIndex", 0);
                });
            }
            render_association(x, region, interface, false);
            render_private_addresses(x, region, interface, false);
            render_ipv6_addresses(x, interface);
            x.text("interfaceType", "interface").nested("operator", |x| {
                x.value("managed", false);
            });
        })
        .value("ebsOptimized", instance.attributes.ebs_optimized)
        .value("enaSupport", instance.attributes.ena_support)
        .optional("sriovNetSupport", instance.attributes.sriov_net_support.as_deref());
    render_launch_options(x, instance);
}

/// The option objects AWS sends for every instance and Terraform's `aws_instance` reads (recorded real answers,
/// 2023–2025): CPU topology, capacity reservation preference, hibernation, instance metadata service, enclaves,
/// platform and usage, host names, maintenance, boot mode, network performance, operator.
fn render_launch_options(x: &mut Xml, instance: &Instance) {
    let cpu = instance::attribute::cpu_options(&instance.instance_type);
    x.nested("cpuOptions", |x| {
        x.value("coreCount", cpu.core_count).value("threadsPerCore", cpu.threads_per_core);
    })
    .nested("capacityReservationSpecification", |x| {
        x.text("capacityReservationPreference", "open");
    })
    .nested("hibernationOptions", |x| {
        x.value("configured", false);
    })
    // The state is `applied` once the instance runs; localvpc's instances run at once (spec §2.9).
    .nested("metadataOptions", |x| {
        x.text("state", "applied")
            .text("httpTokens", "optional")
            .value("httpPutResponseHopLimit", 1)
            .text("httpEndpoint", "enabled")
            .text("httpProtocolIpv6", "disabled")
            .text("instanceMetadataTags", "disabled");
    })
    .nested("enclaveOptions", |x| {
        x.value("enabled", false);
    })
    .text("platformDetails", "Linux/UNIX")
    .text("usageOperation", "RunInstances")
    .text("usageOperationUpdateTime", &instance.launch_time.to_iso8601())
    .nested("privateDnsNameOptions", |x| {
        let options = &instance.private_dns_name_options;
        x.text("hostnameType", &options.hostname_type)
            .value("enableResourceNameDnsARecord", options.enable_resource_name_dns_a_record)
            .value("enableResourceNameDnsAAAARecord", options.enable_resource_name_dns_aaaa_record);
    })
    .nested("maintenanceOptions", |x| {
        x.text("autoRecovery", "default").text("rebootMigration", "default");
    })
    .text("currentInstanceBootMode", "legacy-bios")
    .nested("networkPerformanceOptions", |x| {
        x.text("bandwidthWeighting", "default");
    })
    .nested("operator", |x| {
        x.value("managed", false);
    });
}

/// One `blockDeviceMapping` item (`InstanceBlockDeviceMapping`): an attached EBS volume.
pub(super) fn render_block_device(x: &mut Xml, volume: &Volume) {
    let Some(attachment) = &volume.attachment else { return };
    x.text("deviceName", &attachment.device).nested("ebs", |x| {
        x.text("volumeId", &volume.id)
            .text("status", "attached")
            .text("attachTime", &attachment.attach_time.to_iso8601())
            .value("deleteOnTermination", attachment.delete_on_termination);
    });
}

/// `BlockDeviceMapping.N` of RunInstances.
fn block_device_mappings(params: &Params) -> Result<Vec<BlockDeviceMapping>> {
    params
        .structs("BlockDeviceMapping")?
        .iter()
        .map(|member| {
            let ebs = match member.structs_present("Ebs") {
                false => None,
                true => Some(EbsBlockDevice {
                    spec: VolumeSpec {
                        size: member.int("Ebs.VolumeSize")?,
                        snapshot_id: member.get("Ebs.SnapshotId").map(str::to_string),
                        volume_type: member.get("Ebs.VolumeType").map(str::to_string),
                        iops: member.int("Ebs.Iops")?,
                        throughput: member.int("Ebs.Throughput")?,
                        encrypted: member.bool("Ebs.Encrypted")?,
                        kms_key_id: member.get("Ebs.KmsKeyId").map(str::to_string),
                        multi_attach_enabled: None,
                    },
                    delete_on_termination: member.bool("Ebs.DeleteOnTermination")?,
                }),
            };
            Ok(BlockDeviceMapping {
                device_name: member.required("DeviceName")?.to_string(),
                ebs,
                no_device: member.get("NoDevice").map(str::to_string),
                virtual_name: member.get("VirtualName").map(str::to_string),
            })
        })
        .collect()
}

/// `reservationId`, `ownerId`, `groupSet` (empty for VPC instances) and `instancesSet`.
fn render_reservation(x: &mut Xml, reservation: &Reservation, region: &RegionState) {
    x.text("reservationId", &reservation.id)
        .text("ownerId", &reservation.owner_id)
        .list("groupSet", [(); 0], |_, _| {})
        .list("instancesSet", &reservation.instances, |x, instance| render_instance(x, instance, region));
}

/// `TagSpecification.N` of RunInstances: `instance`, `network-interface` and `volume` tags; any other type is
/// refused as `Params::tag_specifications` does.
fn launch_tags(params: &Params) -> Result<(Vec<Tag>, Vec<Tag>, Vec<Tag>)> {
    let (mut instance_tags, mut interface_tags, mut volume_tags) = (Vec::new(), Vec::new(), Vec::new());
    for specification in params.structs("TagSpecification")? {
        let kind = specification.get("ResourceType").unwrap_or_default();
        let tags = specification.tags("Tag")?;
        match kind {
            "instance" => instance_tags.extend(tags),
            "network-interface" => interface_tags.extend(tags),
            "volume" => volume_tags.extend(tags),
            other => {
                return Err(Ec2Error::InvalidParameterValue(format!(
                    "'{other}' is not a valid taggable resource type for this operation."
                )))
            }
        }
    }
    Ok((instance_tags, interface_tags, volume_tags))
}

/// One `NetworkInterface.N` (spec §1.1): the primary of `PrivateIpAddresses.M` is the private address.
fn interface_specification(member: &Params) -> Result<InterfaceSpecification> {
    let mut private_ip_address = member.get("PrivateIpAddress").map(str::to_string);
    let mut secondary_private_ip_addresses = Vec::new();
    for address in member.structs("PrivateIpAddresses")? {
        let Some(text) = address.get("PrivateIpAddress") else { continue };
        if private_ip_address.is_none() && address.bool("Primary")?.unwrap_or(true) {
            private_ip_address = Some(text.to_string());
        } else if private_ip_address.as_deref() != Some(text) {
            secondary_private_ip_addresses.push(text.to_string());
        }
    }
    Ok(InterfaceSpecification {
        device_index: member.int("DeviceIndex")?,
        network_interface_id: member.get("NetworkInterfaceId").map(str::to_string),
        subnet_id: member.get("SubnetId").map(str::to_string),
        security_group_ids: member.list("SecurityGroupId")?,
        private_ip_address,
        secondary_private_ip_addresses,
        secondary_private_ip_address_count: member.int("SecondaryPrivateIpAddressCount")?,
        associate_public_ip_address: member.bool("AssociatePublicIpAddress")?,
        description: member.get("Description").map(str::to_string),
        delete_on_termination: member.bool("DeleteOnTermination")?,
        ipv6: AssignIpv6Addresses {
            count: member.int("Ipv6AddressCount")?,
            addresses: ipv6_addresses(member, "Ipv6Addresses")?,
        },
    })
}

/// `<list>.N.Ipv6Address` (InstanceIpv6Address): `Ipv6Address.N` at the top level, `Ipv6Addresses.N` in an
/// interface.
fn ipv6_addresses(params: &Params, list: &str) -> Result<Vec<String>> {
    let entries = params.structs(list)?;
    Ok(entries.iter().map(|entry| entry.get("Ipv6Address").unwrap_or_default().to_string()).collect())
}

pub(crate) fn run_instances(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    if !params.structs_present("LaunchTemplate") {
        return run(tx, ctx, params, None, x);
    }
    let text = |key: &str| params.get(key).map(str::to_string);
    let reference = TemplateRef::from_parameters(
        text("LaunchTemplate.LaunchTemplateId"),
        text("LaunchTemplate.LaunchTemplateName"),
    )?;
    let launch = launch_template::launch_parameters(
        tx.region(&ctx.scope),
        &reference,
        params.get("LaunchTemplate.Version"),
        params.all(),
    )?;
    let merged = Params::from_map(launch.parameters);
    run(tx, ctx, &merged, Some((launch.template_id, launch.version)), x)
}

/// RunInstances from its parameters (a launch template's laid under the request's already).
fn run(tx: &mut Tx, ctx: &Ctx, params: &Params, template: Option<(String, u64)>, x: &mut Xml) -> Result {
    let count = |key: &str| params.int(key)?.ok_or_else(|| Ec2Error::MissingParameter(key.into()));
    let (instance_tags, interface_tags, volume_tags) = launch_tags(params)?;
    let request = RunInstances {
        image_id: params.required("ImageId")?.to_string(),
        instance_type: params.get("InstanceType").map(str::to_string),
        key_name: params.get("KeyName").map(str::to_string),
        min_count: count("MinCount")?,
        max_count: count("MaxCount")?,
        subnet_id: params.get("SubnetId").map(str::to_string),
        security_group_ids: params.list("SecurityGroupId")?,
        security_group_names: params.list("SecurityGroup")?,
        private_ip_address: params.get("PrivateIpAddress").map(str::to_string),
        network_interfaces: params
            .structs("NetworkInterface")?
            .iter()
            .map(interface_specification)
            .collect::<Result<Vec<_>>>()?,
        availability_zone: params.get("Placement.AvailabilityZone").map(str::to_string),
        client_token: params.get("ClientToken").map(str::to_string),
        instance_tags,
        interface_tags,
        settings: LaunchSettings {
            user_data: params.get("UserData").map(str::to_string),
            disable_api_termination: params.bool("DisableApiTermination")?,
            disable_api_stop: params.bool("DisableApiStop")?,
            shutdown_behavior: params.get("InstanceInitiatedShutdownBehavior").map(str::to_string),
            ebs_optimized: params.bool("EbsOptimized")?,
            kernel_id: params.get("KernelId").map(str::to_string),
            ramdisk_id: params.get("RamdiskId").map(str::to_string),
            cpu_credits: params.get("CreditSpecification.CpuCredits").map(str::to_string),
            monitoring: params.bool("Monitoring.Enabled")?,
        },
        volume_tags,
        block_device_mappings: block_device_mappings(params)?,
        ipv6: AssignIpv6Addresses {
            count: params.int("Ipv6AddressCount")?,
            addresses: ipv6_addresses(params, "Ipv6Address")?,
        },
        private_dns_name_options: PrivateDnsNameChange {
            hostname_type: params.get("PrivateDnsNameOptions.HostnameType").map(str::to_string),
            enable_resource_name_dns_a_record: params.bool("PrivateDnsNameOptions.EnableResourceNameDnsARecord")?,
            enable_resource_name_dns_aaaa_record: params
                .bool("PrivateDnsNameOptions.EnableResourceNameDnsAAAARecord")?,
        },
        launch_template: template,
    };
    let reservation = instance::run_instances(tx, &ctx.scope, request)?;
    render_reservation(x, &reservation, tx.region(&ctx.scope));
    Ok(())
}

pub(crate) fn describe_instances(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("InstanceId")?;
    let filters = params.filters()?;
    validate::<InstanceView>(&filters)?;
    let page = params.page(5, 1000)?;
    instance::check_describe_paging(&ids, &page)?;
    let region = world.region(&ctx.scope);
    let found =
        instance::describe(region, &ids, &page, |instance| matches(&InstanceView { instance, region }, &filters))?;
    // An instance renders to ~3.9 KB (its interfaces, volume and option objects): room for all of them at once.
    x.reserve(found.items.len() * 4096);
    x.list("reservationSet", instance::group_by_reservation(&found.items), |x, reservation| {
        render_reservation(x, &reservation, region)
    });
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

fn render_state_changes(x: &mut Xml, changes: &[StateChange]) {
    x.list("instancesSet", changes, |x, change| {
        x.text("instanceId", &change.instance_id);
        render_state(x, "currentState", change.current);
        render_state(x, "previousState", change.previous);
    });
}

pub(crate) fn start_instances(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let changes = instance::start_instances(tx, &ctx.scope, &params.list("InstanceId")?)?;
    render_state_changes(x, &changes);
    Ok(())
}

pub(crate) fn stop_instances(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let changes = instance::stop_instances(tx, &ctx.scope, &params.list("InstanceId")?)?;
    render_state_changes(x, &changes);
    Ok(())
}

pub(crate) fn terminate_instances(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let changes = instance::terminate_instances(tx, &ctx.scope, &params.list("InstanceId")?)?;
    render_state_changes(x, &changes);
    Ok(())
}

/// GetConsoleOutput: the instance's console as the kernel data plane captured it (its user data's output), base64
/// as AWS sends it. An instance that printed nothing — every instance with the model data plane — answers without
/// `output`, as AWS does before an instance's console has any. The timestamp is the launch's: the console starts
/// there.
pub(crate) fn get_console_output(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let instance = instance::find(world.region(&ctx.scope), params.required("InstanceId")?)?;
    x.text("instanceId", &instance.id);
    x.text("timestamp", &instance.launch_time.to_iso8601());
    let output = ctx.console.as_ref().and_then(|console| console.read(&instance.id)).filter(|out| !out.is_empty());
    if let Some(output) = output {
        x.text("output", &BASE64_STANDARD.encode(output));
    }
    Ok(())
}
