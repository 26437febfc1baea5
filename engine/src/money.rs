//! Money in whole đồng: integers in storage, exact decimals in arithmetic.

use std::fmt;
use std::ops::Add;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

/// An amount of Vietnamese đồng (VND has no subunit in use).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(u64);

impl Money {
    /// Whether it is nothing.
    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }

    /// Zero đồng.
    pub const ZERO: Self = Self(0);

    /// An amount of whole đồng.
    pub fn dong(amount: u64) -> Self {
        Self(amount)
    }

    /// The amount in đồng.
    pub fn as_dong(self) -> u64 {
        self.0
    }

    /// Rounds an exact decimal to the nearest đồng (half away from zero); `None` when negative
    /// or too large.
    pub fn from_decimal(amount: Decimal) -> Option<Self> {
        let rounded =
            amount.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        if rounded.is_sign_negative() && !rounded.is_zero() {
            return None;
        }
        rounded.to_u64().map(Self)
    }

    /// Sum, refusing overflow.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }
}

impl Add for Money {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        for (position, digit) in digits.chars().enumerate() {
            if position > 0 && (digits.len() - position).is_multiple_of(3) {
                f.write_str(".")?;
            }
            write!(f, "{digit}")?;
        }
        f.write_str(" đ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_to_the_nearest_dong_and_negatives_are_refused() {
        assert_eq!(
            Money::from_decimal(Decimal::new(40005, 1)),
            Some(Money::dong(4001))
        );
        assert_eq!(
            Money::from_decimal(Decimal::new(40004, 1)),
            Some(Money::dong(4000))
        );
        assert_eq!(Money::from_decimal(Decimal::new(-1, 0)), None);
        assert_eq!(Money::dong(1_234_567).to_string(), "1.234.567 đ");
        assert_eq!(Money::ZERO.to_string(), "0 đ");
    }
}
