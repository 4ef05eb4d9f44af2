//! Running an EC2 action for the console, and reading what it answered.
//!
//! A console form is an EC2 request: its fields are the action's Query parameters (`CidrBlock`,
//! `TagSpecification.1.Tag.1.Value`, …). [`run`] hands them to [`localvpc_api::call_ec2`] with the session's scope,
//! so the console changes nothing an SDK could not, and shows exactly the error an SDK would get.

use localvpc_api::params::Params;
use localvpc_model::Ec2Error;
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::session::Session;
use crate::ConsoleState;

/// An action's whole XML answer.
pub(crate) struct Answer(String);

impl Answer {
    /// The text of the first element called `name` (e.g. `vpcId` in CreateVpc's answer).
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        let mut reader = Reader::from_str(&self.0);
        let mut inside = false;
        loop {
            match reader.read_event() {
                Ok(Event::Start(start)) => inside = start.local_name().as_ref() == name.as_bytes(),
                Ok(Event::Text(text)) if inside => return text.unescape().ok().map(|t| t.into_owned()),
                Ok(Event::End(_)) => inside = false,
                Ok(Event::Eof) | Err(_) => return None,
                _ => {}
            }
        }
    }
}

/// An EC2 refusal as the console shows it: AWS's code and message.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub(crate) code: String,
    pub(crate) message: String,
}

impl From<Ec2Error> for Refusal {
    fn from(error: Ec2Error) -> Self {
        Refusal { code: error.code().to_string(), message: error.to_string() }
    }
}

/// Runs `Action` with these parameters in the session's scope.
pub(crate) async fn run(state: &ConsoleState, session: &Session, params: &[(&str, &str)]) -> Result<Answer, Refusal> {
    let params = Params::from_pairs(params.iter().copied());
    run_params(state, session, &params).await
}

/// Runs the action a parsed form names (its `Action` field and every EC2 parameter beside it).
pub(crate) async fn run_params(state: &ConsoleState, session: &Session, params: &Params) -> Result<Answer, Refusal> {
    localvpc_api::call_ec2(&state.control, &session.scope, params).await.map(Answer).map_err(Refusal::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_text_finds_the_first_element_by_name() {
        let answer = Answer(
            "<CreateVpcResponse><requestId>r</requestId><vpc><vpcId>vpc-1&amp;</vpcId><tagSet/></vpc></CreateVpcResponse>"
                .into(),
        );
        assert_eq!(answer.text("vpcId").as_deref(), Some("vpc-1&"));
        assert_eq!(answer.text("subnetId"), None);
    }
}
