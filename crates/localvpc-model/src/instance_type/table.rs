//! The instance type table: one row per size of each family, as plain data.
//!
//! Columns: vCPUs, memory (MiB), maximum network interfaces, IPv4 addresses per interface, network performance.
//! Sources: part 2 §10.2's limits table (the EC2 user guide's "Maximum IP addresses per network interface", the
//! same figures `describe-instance-types` answers) and its family traits [O moto-it].

/// One size of a family.
#[derive(Debug, PartialEq, Eq)]
pub struct Size {
    /// `micro`, `large`, `metal`, …
    pub name: &'static str,
    /// `defaultVCpus`.
    pub vcpus: u32,
    /// `memoryInfo.sizeInMiB`.
    pub memory_mib: u64,
    /// `maximumNetworkInterfaces`.
    pub max_enis: u32,
    /// `ipv4AddressesPerInterface` (also `ipv6AddressesPerInterface`).
    pub ipv4_per_eni: u32,
    /// `networkPerformance`.
    pub network_performance: &'static str,
}

/// A family and what its sizes share.
#[derive(Debug, PartialEq)]
pub struct Family {
    /// `t3`, `m6i`, …
    pub name: &'static str,
    /// `supportedArchitectures` of the larger sizes.
    pub architectures: &'static [&'static str],
    /// `Intel`, `AMD` or `AWS`.
    pub manufacturer: &'static str,
    /// `sustainedClockSpeedInGhz`.
    pub clock_ghz: f64,
    /// Built on Nitro (everything but t2).
    pub nitro: bool,
    /// `burstablePerformanceSupported`: the t families.
    pub burstable: bool,
    /// `hibernationSupported`.
    pub hibernation: bool,
    /// The sizes, small to large.
    pub sizes: &'static [Size],
}

impl Family {
    /// The architectures of one size: t2's nano to medium also run 32-bit images.
    pub fn architectures_of(&self, size: &Size) -> &'static [&'static str] {
        if self.name == "t2" && ["nano", "micro", "small", "medium"].contains(&size.name) {
            &["i386", "x86_64"]
        } else {
            self.architectures
        }
    }
}

const fn s(
    name: &'static str,
    vcpus: u32,
    memory_gib_x2: u64,
    max_enis: u32,
    ipv4_per_eni: u32,
    network_performance: &'static str,
) -> Size {
    // Memory is given in half GiB so that 0.5 GiB sizes stay integers.
    Size { name, vcpus, memory_mib: memory_gib_x2 * 512, max_enis, ipv4_per_eni, network_performance }
}

const T2_LOW: &str = "Low to Moderate";
const T_NITRO: &str = "Up to 5 Gigabit";
const UP_TO_10: &str = "Up to 10 Gigabit";
const UP_TO_12_5: &str = "Up to 12.5 Gigabit";
const UP_TO_15: &str = "Up to 15 Gigabit";

/// A burstable family on Nitro (t3, t3a, t4g): the same figures, t3a.small excepted.
const fn t_sizes(small_enis: u32) -> [Size; 7] {
    [
        s("nano", 2, 1, 2, 2, T_NITRO),
        s("micro", 2, 2, 2, 2, T_NITRO),
        s("small", 2, 4, small_enis, 4, T_NITRO),
        s("medium", 2, 8, 3, 6, T_NITRO),
        s("large", 2, 16, 3, 12, T_NITRO),
        s("xlarge", 4, 32, 4, 15, T_NITRO),
        s("2xlarge", 8, 64, 4, 15, T_NITRO),
    ]
}

const T3_SIZES: [Size; 7] = t_sizes(3);
const T3A_SIZES: [Size; 7] = t_sizes(2);

/// m5, c5 and r5 share ENI figures; memory per vCPU is 4, 2 and 8 GiB (c5 has its own sizes).
const fn fifth_generation(gib_per_vcpu_x2: u64) -> [Size; 9] {
    let m = gib_per_vcpu_x2;
    [
        s("large", 2, 2 * m, 3, 10, UP_TO_10),
        s("xlarge", 4, 4 * m, 4, 15, UP_TO_10),
        s("2xlarge", 8, 8 * m, 4, 15, UP_TO_10),
        s("4xlarge", 16, 16 * m, 8, 30, UP_TO_10),
        s("8xlarge", 32, 32 * m, 8, 30, "10 Gigabit"),
        s("12xlarge", 48, 48 * m, 8, 30, "12 Gigabit"),
        s("16xlarge", 64, 64 * m, 15, 50, "20 Gigabit"),
        s("24xlarge", 96, 96 * m, 15, 50, "25 Gigabit"),
        s("metal", 96, 96 * m, 15, 50, "25 Gigabit"),
    ]
}

const M5_SIZES: [Size; 9] = fifth_generation(8);
const R5_SIZES: [Size; 9] = fifth_generation(16);
const C5_SIZES: [Size; 8] = [
    s("large", 2, 8, 3, 10, UP_TO_10),
    s("xlarge", 4, 16, 4, 15, UP_TO_10),
    s("2xlarge", 8, 32, 4, 15, UP_TO_10),
    s("4xlarge", 16, 64, 8, 30, UP_TO_10),
    s("9xlarge", 36, 144, 8, 30, "12 Gigabit"),
    s("12xlarge", 48, 192, 8, 30, "12 Gigabit"),
    s("18xlarge", 72, 288, 15, 50, "25 Gigabit"),
    s("24xlarge", 96, 384, 15, 50, "25 Gigabit"),
];
const C5_WITH_METAL: [Size; 9] = {
    let [a, b, c, d, e, f, g, h] = C5_SIZES;
    [a, b, c, d, e, f, g, h, s("metal", 96, 384, 15, 50, "25 Gigabit")]
};

/// m6i, c6i and r6i: memory per vCPU 4, 2 and 8 GiB.
const fn sixth_generation(gib_per_vcpu_x2: u64) -> [Size; 10] {
    let m = gib_per_vcpu_x2;
    [
        s("large", 2, 2 * m, 3, 10, UP_TO_12_5),
        s("xlarge", 4, 4 * m, 4, 15, UP_TO_12_5),
        s("2xlarge", 8, 8 * m, 4, 15, UP_TO_12_5),
        s("4xlarge", 16, 16 * m, 8, 30, UP_TO_12_5),
        s("8xlarge", 32, 32 * m, 8, 30, "12.5 Gigabit"),
        s("12xlarge", 48, 48 * m, 8, 30, "18.75 Gigabit"),
        s("16xlarge", 64, 64 * m, 15, 50, "25 Gigabit"),
        s("24xlarge", 96, 96 * m, 15, 50, "37.5 Gigabit"),
        s("32xlarge", 128, 128 * m, 15, 50, "50 Gigabit"),
        s("metal", 128, 128 * m, 15, 50, "50 Gigabit"),
    ]
}

const M6I_SIZES: [Size; 10] = sixth_generation(8);
const C6I_SIZES: [Size; 10] = sixth_generation(4);
const R6I_SIZES: [Size; 10] = sixth_generation(16);

/// m7g and c7g (Graviton3): one vCPU per core; memory per vCPU 4 and 2 GiB.
const fn graviton3(gib_per_vcpu_x2: u64) -> [Size; 9] {
    let m = gib_per_vcpu_x2;
    [
        s("medium", 1, m, 2, 4, UP_TO_12_5),
        s("large", 2, 2 * m, 3, 10, UP_TO_12_5),
        s("xlarge", 4, 4 * m, 4, 15, UP_TO_12_5),
        s("2xlarge", 8, 8 * m, 4, 15, UP_TO_15),
        s("4xlarge", 16, 16 * m, 8, 30, UP_TO_15),
        s("8xlarge", 32, 32 * m, 8, 30, "15 Gigabit"),
        s("12xlarge", 48, 48 * m, 8, 30, "22.5 Gigabit"),
        s("16xlarge", 64, 64 * m, 15, 50, "30 Gigabit"),
        s("metal", 64, 64 * m, 15, 50, "30 Gigabit"),
    ]
}

const M7G_SIZES: [Size; 9] = graviton3(8);
const C7G_SIZES: [Size; 9] = graviton3(4);

const X86: &[&str] = &["x86_64"];
const ARM: &[&str] = &["arm64"];

const fn family(
    name: &'static str,
    architectures: &'static [&'static str],
    manufacturer: &'static str,
    clock_ghz: f64,
    sizes: &'static [Size],
) -> Family {
    let burstable = matches!(name.as_bytes()[0], b't');
    Family {
        name,
        architectures,
        manufacturer,
        clock_ghz,
        nitro: !matches!(name.as_bytes(), b"t2"),
        burstable,
        hibernation: matches!(architectures[0].as_bytes(), b"x86_64"),
        sizes,
    }
}

/// The families of part 2 §10.2, in the order.
pub static FAMILIES: &[Family] = &[
    family(
        "t2",
        X86,
        "Intel",
        2.3,
        &[
            s("nano", 1, 1, 2, 2, T2_LOW),
            s("micro", 1, 2, 2, 2, T2_LOW),
            s("small", 1, 4, 3, 4, T2_LOW),
            s("medium", 2, 8, 3, 6, T2_LOW),
            s("large", 2, 16, 3, 12, T2_LOW),
            s("xlarge", 4, 32, 3, 15, "Moderate"),
            s("2xlarge", 8, 64, 3, 15, "Moderate"),
        ],
    ),
    family("t3", X86, "Intel", 2.5, &T3_SIZES),
    family("t3a", X86, "AMD", 2.2, &T3A_SIZES),
    family("t4g", ARM, "AWS", 2.5, &T3_SIZES),
    family("m5", X86, "Intel", 3.1, &M5_SIZES),
    family("m6i", X86, "Intel", 3.5, &M6I_SIZES),
    family("m7g", ARM, "AWS", 2.6, &M7G_SIZES),
    family("c5", X86, "Intel", 3.4, &C5_WITH_METAL),
    family("c6i", X86, "Intel", 3.5, &C6I_SIZES),
    family("c7g", ARM, "AWS", 2.6, &C7G_SIZES),
    family("r5", X86, "Intel", 3.1, &R5_SIZES),
    family("r6i", X86, "Intel", 3.5, &R6I_SIZES),
];
