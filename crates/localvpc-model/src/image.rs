//! The built-in catalog of public AMIs (spec part 2 §10.1) and DescribeImages' rules over it.
//!
//! Every Region offers the same images — Amazon Linux 2023 and 2, Ubuntu 22.04 and 24.04, Debian 12 (x86_64 and
//! arm64) and Windows Server 2022 (x86_64) — under names that follow the real naming patterns, so the filters tools
//! send (`name=al2023-ami-2023.*-x86_64`, `owner-alias=amazon`, then "most recent" by `creationDate`) find them.
//! An image's ID is a pure function of its Region and name: stable across restarts and resets, different per
//! Region as on AWS. Images are not stored; the catalog is data. User images (CreateImage, RegisterImage) are not
//! modelled, so `Owner=self` finds nothing, and RunInstances accepts any well-formed `ami-…`.
//!
//! The catalog never deprecates: `deprecationTime` is not shown and `IncludeDeprecated` changes nothing, so a
//! configuration that works today keeps working.

use crate::filter::Filterable;
use crate::ids::{format_id, IdKind};
use crate::{Ec2Error, Result};

/// An image of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// `ami-…`, derived from the Region and the name.
    pub id: String,
    /// The image name.
    pub name: &'static str,
    /// The description.
    pub description: String,
    /// The owning account.
    pub owner_id: &'static str,
    /// `amazon` for Amazon's and Canonical's images [O]; none for Debian's [I].
    pub owner_alias: Option<&'static str>,
    /// `x86_64` or `arm64`.
    pub architecture: &'static str,
    /// ISO-8601 creation time: what "most recent" sorts on.
    pub creation_date: &'static str,
    /// `/dev/xvda` or `/dev/sda1`.
    pub root_device_name: &'static str,
    /// The root EBS volume.
    pub root_volume: RootVolume,
    /// Instance-store devices (`ephemeral0` → `/dev/sdb`, …) Canonical's images map.
    pub ephemeral_devices: &'static [(&'static str, &'static str)],
    /// `windows` for Windows images; Linux images have none.
    pub platform: Option<&'static str>,
    /// `Linux/UNIX` or `Windows`.
    pub platform_details: &'static str,
    /// `RunInstances` or `RunInstances:0002`.
    pub usage_operation: &'static str,
    /// `uefi-preferred`, `uefi`, or none (legacy BIOS images).
    pub boot_mode: Option<&'static str>,
    /// `v2.0` when the image requires IMDSv2.
    pub imds_support: Option<&'static str>,
    /// The root volume's snapshot, derived like the ID.
    pub snapshot_id: String,
}

/// The root EBS volume of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RootVolume {
    /// `gp2` or `gp3`.
    pub volume_type: &'static str,
    /// GiB.
    pub size: u32,
    /// Provisioned IOPS (gp3 only).
    pub iops: Option<u32>,
    /// Throughput in MiB/s (gp3 only).
    pub throughput: Option<u32>,
}

impl Image {
    /// `amazon/<name>` for every catalog image, as recorded output shows for Amazon, Canonical and Debian alike.
    pub fn location(&self) -> String {
        format!("amazon/{}", self.name)
    }
}

const GP2_8: RootVolume = RootVolume { volume_type: "gp2", size: 8, iops: None, throughput: None };
const GP3_8: RootVolume = RootVolume { volume_type: "gp3", size: 8, iops: Some(3000), throughput: Some(125) };
const UBUNTU_EPHEMERAL: &[(&str, &str)] = &[("/dev/sdb", "ephemeral0"), ("/dev/sdc", "ephemeral1")];

const AMAZON: &str = "137112412989";
const CANONICAL: &str = "099720109477";
const DEBIAN: &str = "136693071363";
const MICROSOFT_ON_AMAZON: &str = "801119661308";

/// One row of the catalog, before the Region gives it an ID.
struct Entry {
    name: &'static str,
    description: &'static str,
    owner_id: &'static str,
    owner_alias: Option<&'static str>,
    architecture: &'static str,
    creation_date: &'static str,
    root_device_name: &'static str,
    root_volume: RootVolume,
    ephemeral_devices: &'static [(&'static str, &'static str)],
    windows: bool,
    boot_mode: Option<&'static str>,
    imds_support: Option<&'static str>,
}

const fn linux(
    name: &'static str,
    description: &'static str,
    owner: (&'static str, Option<&'static str>),
    architecture: &'static str,
    creation_date: &'static str,
    root: (&'static str, RootVolume),
    boot_and_imds: (Option<&'static str>, Option<&'static str>),
) -> Entry {
    Entry {
        name,
        description,
        owner_id: owner.0,
        owner_alias: owner.1,
        architecture,
        creation_date,
        root_device_name: root.0,
        root_volume: root.1,
        ephemeral_devices: &[],
        windows: false,
        boot_mode: boot_and_imds.0,
        imds_support: boot_and_imds.1,
    }
}

const fn ubuntu(entry: Entry) -> Entry {
    Entry { ephemeral_devices: UBUNTU_EPHEMERAL, ..entry }
}

/// Part 2 §10.1's catalog: names, owners, roots and boot modes from recorded `describe-images` output [O].
const CATALOG: &[Entry] = &[
    linux(
        "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64",
        "Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1",
        (AMAZON, Some("amazon")),
        "x86_64",
        "2024-12-12T21:51:38.000Z",
        ("/dev/xvda", GP3_8),
        (Some("uefi-preferred"), Some("v2.0")),
    ),
    linux(
        "al2023-ami-2023.9.20261110.0-kernel-6.1-x86_64",
        "Amazon Linux 2023 AMI 2023.9.20261110.0 x86_64 HVM kernel-6.1",
        (AMAZON, Some("amazon")),
        "x86_64",
        "2026-11-10T22:04:12.000Z",
        ("/dev/xvda", GP3_8),
        (Some("uefi-preferred"), Some("v2.0")),
    ),
    linux(
        "al2023-ami-2023.9.20261110.0-kernel-6.1-arm64",
        "Amazon Linux 2023 AMI 2023.9.20261110.0 arm64 HVM kernel-6.1",
        (AMAZON, Some("amazon")),
        "arm64",
        "2026-11-10T22:04:15.000Z",
        ("/dev/xvda", GP3_8),
        (Some("uefi"), Some("v2.0")),
    ),
    linux(
        "amzn2-ami-kernel-5.10-hvm-2.0.20261103.0-x86_64-gp2",
        "Amazon Linux 2 Kernel 5.10 AMI 2.0.20261103.0 x86_64 HVM gp2",
        (AMAZON, Some("amazon")),
        "x86_64",
        "2026-11-03T19:22:41.000Z",
        ("/dev/xvda", GP2_8),
        (None, None),
    ),
    linux(
        "amzn2-ami-kernel-5.10-hvm-2.0.20261103.0-arm64-gp2",
        "Amazon Linux 2 Kernel 5.10 AMI 2.0.20261103.0 arm64 HVM gp2",
        (AMAZON, Some("amazon")),
        "arm64",
        "2026-11-03T19:22:44.000Z",
        ("/dev/xvda", GP2_8),
        (Some("uefi"), None),
    ),
    ubuntu(linux(
        "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20261108",
        "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2026-11-08",
        (CANONICAL, Some("amazon")),
        "x86_64",
        "2026-11-08T06:12:03.000Z",
        ("/dev/sda1", GP2_8),
        (Some("uefi-preferred"), None),
    )),
    ubuntu(linux(
        "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-20261108",
        "Canonical, Ubuntu, 22.04 LTS, arm64 jammy image build on 2026-11-08",
        (CANONICAL, Some("amazon")),
        "arm64",
        "2026-11-08T06:12:09.000Z",
        ("/dev/sda1", GP2_8),
        (Some("uefi"), None),
    )),
    ubuntu(linux(
        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261108",
        "Canonical, Ubuntu, 24.04, amd64 noble image",
        (CANONICAL, Some("amazon")),
        "x86_64",
        "2026-11-08T07:31:55.000Z",
        ("/dev/sda1", GP3_8),
        (Some("uefi-preferred"), Some("v2.0")),
    )),
    ubuntu(linux(
        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20261108",
        "Canonical, Ubuntu, 24.04, arm64 noble image",
        (CANONICAL, Some("amazon")),
        "arm64",
        "2026-11-08T07:32:01.000Z",
        ("/dev/sda1", GP3_8),
        (Some("uefi"), Some("v2.0")),
    )),
    linux(
        "debian-12-amd64-20261101-2284",
        "Debian 12 (20261101-2284)",
        (DEBIAN, None),
        "x86_64",
        "2026-11-01T02:18:33.000Z",
        ("/dev/xvda", GP2_8),
        (Some("uefi-preferred"), None),
    ),
    linux(
        "debian-12-arm64-20261101-2284",
        "Debian 12 (20261101-2284)",
        (DEBIAN, None),
        "arm64",
        "2026-11-01T02:18:40.000Z",
        ("/dev/xvda", GP2_8),
        (Some("uefi"), None),
    ),
    Entry {
        name: "Windows_Server-2022-English-Full-Base-2026.11.12",
        description: "Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon",
        owner_id: MICROSOFT_ON_AMAZON,
        owner_alias: Some("amazon"),
        architecture: "x86_64",
        creation_date: "2026-11-12T08:47:20.000Z",
        root_device_name: "/dev/sda1",
        root_volume: RootVolume { volume_type: "gp2", size: 30, iops: None, throughput: None },
        ephemeral_devices: &[],
        windows: true,
        boot_mode: None,
        imds_support: None,
    },
];

/// FNV-1a: a stable hash of text (the standard library's hasher may change between Rust versions).
fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|part| part.bytes().chain([0])) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The catalog as Region `region` shows it, ordered by image ID.
pub fn catalog(region: &str) -> Vec<Image> {
    let mut images: Vec<Image> = CATALOG
        .iter()
        .map(|entry| Image {
            // Key 0, not the world's ID key: a public AMI's ID is the same for every account and after a reset.
            id: format_id(IdKind::Image, stable_hash(&[region, entry.name]), 0),
            name: entry.name,
            description: entry.description.to_string(),
            owner_id: entry.owner_id,
            owner_alias: entry.owner_alias,
            architecture: entry.architecture,
            creation_date: entry.creation_date,
            root_device_name: entry.root_device_name,
            root_volume: entry.root_volume,
            ephemeral_devices: entry.ephemeral_devices,
            platform: entry.windows.then_some("windows"),
            platform_details: if entry.windows { "Windows" } else { "Linux/UNIX" },
            usage_operation: if entry.windows { "RunInstances:0002" } else { "RunInstances" },
            boot_mode: entry.boot_mode,
            imds_support: entry.imds_support,
            snapshot_id: format!("snap-{:017x}", stable_hash(&[region, entry.name, "root"]) >> 4),
        })
        .collect();
    images.sort_by(|a, b| a.id.cmp(&b.id));
    images
}

impl Filterable for Image {
    const FILTERS: &'static [&'static str] = &[
        "architecture",
        "block-device-mapping.delete-on-termination",
        "block-device-mapping.device-name",
        "block-device-mapping.snapshot-id",
        "block-device-mapping.volume-size",
        "block-device-mapping.volume-type",
        "block-device-mapping.encrypted",
        "boot-mode",
        "creation-date",
        "deprecation-time",
        "description",
        "ena-support",
        "free-tier-eligible",
        "hypervisor",
        "image-allowed",
        "image-id",
        "image-type",
        "imds-support",
        "is-public",
        "kernel-id",
        "manifest-location",
        "name",
        "owner-alias",
        "owner-id",
        "platform",
        "platform-details",
        "product-code",
        "product-code.type",
        "ramdisk-id",
        "root-device-name",
        "root-device-type",
        "source-image-id",
        "source-image-region",
        "source-instance-id",
        "state",
        "state-reason-code",
        "state-reason-message",
        "sriov-net-support",
        "tpm-support",
        "usage-operation",
        "virtualization-type",
        "image-watermark.scope",
        "image-watermark.type",
        "instance-type-specification.instance-type",
        "public-ssm-parameter-name",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let root = &self.root_volume;
        match name {
            "architecture" => out.push(self.architecture.into()),
            "block-device-mapping.delete-on-termination"
            | "ena-support"
            | "free-tier-eligible"
            | "image-allowed"
            | "is-public" => out.push("true".into()),
            "block-device-mapping.encrypted" => out.push("false".into()),
            "block-device-mapping.device-name" => {
                out.push(self.root_device_name.into());
                out.extend(self.ephemeral_devices.iter().map(|(device, _)| device.to_string()));
            }
            "block-device-mapping.snapshot-id" => out.push(self.snapshot_id.clone()),
            "block-device-mapping.volume-size" => out.push(root.size.to_string()),
            "block-device-mapping.volume-type" => out.push(root.volume_type.into()),
            "boot-mode" => out.extend(self.boot_mode.map(str::to_string)),
            "creation-date" => out.push(self.creation_date.into()),
            "description" => out.push(self.description.clone()),
            "hypervisor" => out.push("xen".into()),
            "image-id" => out.push(self.id.clone()),
            "image-type" => out.push("machine".into()),
            "imds-support" => out.extend(self.imds_support.map(str::to_string)),
            "manifest-location" => out.push(self.location()),
            "name" => out.push(self.name.into()),
            "owner-alias" => out.extend(self.owner_alias.map(str::to_string)),
            "owner-id" => out.push(self.owner_id.into()),
            "platform" => out.extend(self.platform.map(str::to_string)),
            "platform-details" => out.push(self.platform_details.into()),
            "root-device-name" => out.push(self.root_device_name.into()),
            "root-device-type" => out.push("ebs".into()),
            "state" => out.push("available".into()),
            "sriov-net-support" => out.push("simple".into()),
            "usage-operation" => out.push(self.usage_operation.into()),
            "virtualization-type" => out.push("hvm".into()),
            // Kernels, ramdisks, product codes, sources, state reasons, TPM, watermarks, SSM parameters: the
            // catalog's images have none, so these filters match nothing.
            _ => {}
        }
    }
}

/// One `Owner.N` of DescribeImages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// `self`: the caller's own images (none: user images are not modelled).
    OwnAccount,
    /// An alias: `amazon`, `aws-marketplace`, `aws-backup-vault`.
    Alias(String),
    /// A 12-digit account ID.
    Account(String),
}

impl Owner {
    /// Parses an `Owner` value; anything else is `InvalidUserID.Malformed` (part 2 §10.1 [D errs]).
    pub fn parse(value: &str) -> Result<Owner> {
        match value {
            "self" => Ok(Owner::OwnAccount),
            "amazon" | "aws-marketplace" | "aws-backup-vault" => Ok(Owner::Alias(value.into())),
            account if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Owner::Account(account.into()))
            }
            other => Err(Ec2Error::InvalidOwner(other.into())),
        }
    }

    fn owns(&self, image: &Image) -> bool {
        match self {
            Owner::OwnAccount => false,
            Owner::Alias(alias) => image.owner_alias == Some(alias.as_str()),
            Owner::Account(account) => image.owner_id == account,
        }
    }
}

/// DescribeImages over the catalog: every listed ID well-formed and known (else `InvalidAMIID.Malformed` /
/// `InvalidAMIID.NotFound` naming the unknown ones), then owners (any of them) and `keep` (the filters).
/// `ExecutableBy` needs no check: every catalog image is public, so every account may launch it.
pub fn describe(
    region: &str,
    image_ids: &[String],
    owners: &[String],
    mut keep: impl FnMut(&Image) -> bool,
) -> Result<Vec<Image>> {
    for id in image_ids {
        IdKind::Image.check(id)?;
    }
    let owners = owners.iter().map(|owner| Owner::parse(owner)).collect::<Result<Vec<_>>>()?;
    let images = catalog(region);
    let missing: Vec<String> =
        image_ids.iter().filter(|id| !images.iter().any(|image| &image.id == *id)).cloned().collect();
    if !missing.is_empty() {
        return Err(Ec2Error::ImageNotFound(missing));
    }
    Ok(images
        .into_iter()
        .filter(|image| image_ids.is_empty() || image_ids.contains(&image.id))
        .filter(|image| owners.is_empty() || owners.iter().any(|owner| owner.owns(image)))
        .filter(|image| keep(image))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::{matches, Filter};

    fn filter(name: &str, value: &str) -> Filter {
        Filter { name: name.into(), values: vec![value.into()] }
    }

    #[test]
    fn ids_are_stable_per_region_and_differ_across_regions() {
        let east = catalog("us-east-1");
        assert_eq!(east, catalog("us-east-1"));
        let west = catalog("eu-west-1");
        assert!(east.iter().all(|image| !west.iter().any(|other| other.id == image.id)));
        for image in &east {
            IdKind::Image.check(&image.id).unwrap();
        }
    }

    #[test]
    fn terraform_most_recent_al2023_query_finds_the_newest_build() {
        let filters = [filter("name", "al2023-ami-2023.*-x86_64")];
        let mut found = describe("us-east-1", &[], &["amazon".into()], |image| matches(image, &filters)).unwrap();
        assert_eq!(found.len(), 2);
        found.sort_by(|a, b| b.creation_date.cmp(a.creation_date));
        assert_eq!(found[0].name, "al2023-ami-2023.9.20261110.0-kernel-6.1-x86_64");
        assert_eq!(found[0].owner_id, "137112412989");
    }

    #[test]
    fn owners_and_unknown_ids() {
        let debian = describe("us-east-1", &[], &["136693071363".into()], |_| true).unwrap();
        assert_eq!(debian.len(), 2);
        assert!(describe("us-east-1", &[], &["self".into()], |_| true).unwrap().is_empty());
        assert_eq!(
            describe("us-east-1", &[], &["nobody".into()], |_| true).unwrap_err().code(),
            "InvalidUserID.Malformed"
        );
        let unknown = "ami-0123456789abcdef0".to_string();
        assert_eq!(
            describe("us-east-1", std::slice::from_ref(&unknown), &[], |_| true).unwrap_err(),
            Ec2Error::ImageNotFound(vec![unknown])
        );
        assert_eq!(
            describe("us-east-1", &["ami-xyz".into()], &[], |_| true).unwrap_err().code(),
            "InvalidAMIID.Malformed"
        );
        let windows =
            describe("us-east-1", &[], &[], |image| matches(image, &[filter("platform", "windows")])).unwrap();
        assert_eq!(windows.len(), 1);
        assert_eq!(windows[0].usage_operation, "RunInstances:0002");
    }
}
